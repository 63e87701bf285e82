"""``python -m assetforge.gateway [serve|migrate|downgrade|docs]``"""

from assetforge.common.cli import service_main
from assetforge.gateway.app import ENTRY

service_main(ENTRY)
