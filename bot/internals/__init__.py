"""Where supportbot relies on a dependency's private behaviour, fenced: one module per dependency and
behaviour, named for what it relies on, each pinned by a contract test in tests/internals/ so that an
upgrade that changes the behaviour fails a test named for it (README, "Dependencies").

- bolt_ack.py           slack_bolt's listener runner: how it polls, injects and resets `ack`
- waitress_drain.py     waitress's socket map, channels and task dispatcher: a graceful drain
- socket_mode_close.py  slack_sdk's built-in Socket Mode client: closing without its 3 s wait
- slack_sdk_transport.py  slack_sdk's WebClient: its one private HTTP method, for kept connections
- sqlmodel_objects.py   SQLModel/SQLAlchemy: table objects built without __init__, for the hot path
"""
