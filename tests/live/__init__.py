"""Live experiments: each WebSocket rule shown against real nginx, a real TLS WebSocket client and a recording backend."""
