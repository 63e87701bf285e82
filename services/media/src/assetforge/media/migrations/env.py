from assetforge.common.db.migrations import run_env
from assetforge.media.models import Base

run_env(Base.metadata)
