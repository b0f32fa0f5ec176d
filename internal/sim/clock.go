package sim

import (
	"math"
	"time"
)

// clock is a monotonic clock that runs at rate against true time: a
// candidate's (its inputs carry this time, and it measures its timers on
// it) or the server's (it measures TTLs on it).
type clock struct {
	rate float64
	base time.Time
}

// at is the clock's reading at true time now.
func (c clock) at(now time.Duration) time.Time {
	return c.base.Add(time.Duration(float64(now) * c.rate))
}

// span is how much true time passes while the clock advances d, rounded
// up, so a timer armed for d never fires before the clock has advanced d.
func (c clock) span(d time.Duration) time.Duration {
	return time.Duration(math.Ceil(float64(d) / c.rate))
}

// after is the first true time at which the clock reads t or later.
func (c clock) after(t time.Time) time.Duration {
	d := time.Duration(math.Ceil(float64(t.Sub(c.base)) / c.rate))
	for c.at(d).Before(t) {
		d++ // float rounding
	}
	return d
}

// when is the true time at which the clock reads t.
func (c clock) when(t time.Time) time.Duration {
	return time.Duration(float64(t.Sub(c.base)) / c.rate)
}
