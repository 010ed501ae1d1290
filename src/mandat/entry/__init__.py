"""Entry points for hosted runtimes (AWS Lambda); each module keeps its import cheap for cold starts."""
