"""Analysis stages: each turns a batch of :class:`~newsgraph.model.Analysis` into a richer one.

One module per stage, named after what it produces. Stages are registered in
:data:`newsgraph.pipeline.BUILTIN_STAGES` and the ``newsgraph.stages`` entry points.
"""
