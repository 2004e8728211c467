"""The callback's contact with the customer: attempts, letters, inbound calls, call logs."""
