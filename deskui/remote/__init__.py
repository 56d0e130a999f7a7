"""Ways in from elsewhere: the SSH server (asyncssh) and the browser (textual-serve)."""
