"""``python -m assetforge.assets [serve|migrate|downgrade|docs]``"""

from assetforge.assets.app import ENTRY
from assetforge.common.cli import service_main

service_main(ENTRY)
