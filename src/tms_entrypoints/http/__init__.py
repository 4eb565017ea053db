"""The HTTP and WebSocket edge: Litestar app, controllers, DTOs, error mapping."""
