"""The Textual app: screens, widgets and their .tcss. Calls services; never builds SQL."""
