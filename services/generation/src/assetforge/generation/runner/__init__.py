"""Running pipelines: the durable consumer of ``cmd.generation.pipeline.run``, the stages,
and the record each keeps so a crash at any instant resumes where it stood."""
