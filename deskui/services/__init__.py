"""Use cases, one folder per capability (``tickets``, ``intake``, ``mail``, ``oncall``,
``workflow``, ``supervision``, ``access``, ``catalog``) over a few shared modules: ``actor``
(who acts), ``connect`` (opening the configured database), ``authorization``, ``live``,
``errors``. ``docs/architecture.md`` has the layers and where to change what."""
