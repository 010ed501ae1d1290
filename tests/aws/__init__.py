"""AWS adapters (S3 blob store, SQS/Lambda entry point) against a moto server over HTTP."""
