//! client-go's work queue (CG `util/workqueue/queue.go`, `default_rate_limiters.go`) — written by
//! the work-queue task.
