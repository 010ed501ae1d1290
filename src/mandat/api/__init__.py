"""The HTTP API (`mandat serve`): FastAPI app factory, auth, problem details, webhooks dispatcher."""
