"""The offline providers: real PNGs and GLBs made procedurally, fast and with no network.

They stand in for OpenAI and Meshy in development, tests and demos, so a whole pipeline
runs end to end and every file it writes opens in a real viewer. ``provider.py`` is the
entry (:func:`~assetforge.generation.offline.provider.offline_providers`); the other
modules make and check the files.
"""
