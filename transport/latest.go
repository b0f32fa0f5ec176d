package transport

// offerLatest queues v on ch without blocking, dropping the oldest queued
// value when the reader is behind. Watches of a key or of a connection act
// on the latest state, so an older value loses nothing they need. ch must
// have only one sender at a time.
func offerLatest[T any](ch chan T, v T) {
	for {
		select {
		case ch <- v:
			return
		default:
		}
		select {
		case <-ch:
		default:
		}
	}
}
