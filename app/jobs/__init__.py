"""The task queue: queueing and running the tasks that features register (``registry``), built on Huey
(``queue``), enqueued only once the request's transaction has committed (``enqueue``), with a record per
user-facing job (``models``) that its requester follows on a status page (``routes``).

A feature adds its background work by registering a task (``registry.task("feature.name", retries=…)``)
in a module of its own, imported by ``create_app`` before the queue is built, and enqueuing it with plain
ids (``enqueue.enqueue``). Forwarding xAPI statements to an LRS is meant to come the same way: its
statements table as the outbox, a task that sends a batch and retries with backoff.
"""
