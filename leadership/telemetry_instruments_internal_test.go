package leadership

import (
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

// Elections reporting to one meter provider share its instruments; another
// provider gets instruments of its own.
func TestInstrumentsAreSharedPerProvider(t *testing.T) {
	var cache instrumentCache
	mp, other := sdkmetric.NewMeterProvider(), sdkmetric.NewMeterProvider()
	first := cache.of(mp)
	if cache.of(mp) != first {
		t.Error("a second election on the same provider got instruments of its own")
	}
	if in := cache.of(other); in == first || in.provider != other {
		t.Errorf("an election on another provider got instruments for %v", in.provider)
	}
}

// A provider of a type that cannot be compared is never taken for another.
func TestUncomparableProvidersAreNeverTheSame(t *testing.T) {
	type sliced struct {
		*sdkmetric.MeterProvider
		_ []int
	}
	mp := sdkmetric.NewMeterProvider()
	if sameProvider(sliced{MeterProvider: mp}, sliced{MeterProvider: mp}) {
		t.Error("two uncomparable providers were taken for the same")
	}
	if !sameProvider(mp, mp) {
		t.Error("a provider is not the same as itself")
	}
}
