"""``python -m assetforge.media [serve|migrate|downgrade|docs]``"""

from assetforge.common.cli import service_main
from assetforge.media.app import ENTRY

service_main(ENTRY)
