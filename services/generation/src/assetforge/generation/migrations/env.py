from assetforge.common.db.migrations import run_env
from assetforge.generation.models import Base

run_env(Base.metadata)
