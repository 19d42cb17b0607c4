"""cxpulse's stream processing: the functional core (``streams.core``) and its shells.

Importing the package puts the compiled core in front of its sources when a fresh build of
them exists (``streams.native``); otherwise the core is the Python sources as they stand."""

from streams import native as _native

_native.activate()
