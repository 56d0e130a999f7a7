"""Access: agents' SSH keys and who else has a ticket open (presence)."""
