"""The task queue: queueing and running the tasks that features register (``registry``), built on Huey
(``queue``), enqueued only once the request's transaction has committed (``enqueue``), with a record per
user-facing job (``models``) that its requester follows on a status page (``routes``)."""
