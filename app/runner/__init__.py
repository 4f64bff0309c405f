"""Runner: executes workflows (engine) and serves them over HTTP. No Qt."""
