from assetforge.assets.models import Base
from assetforge.common.db.migrations import run_env

run_env(Base.metadata)
