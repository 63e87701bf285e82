"""``python -m assetforge.generation [serve|migrate|downgrade|docs]``"""

from assetforge.common.cli import service_main
from assetforge.generation.app import ENTRY

service_main(ENTRY)
