from assetforge.common.db.migrations import run_env
from assetforge.gateway.models import Base

run_env(Base.metadata)
