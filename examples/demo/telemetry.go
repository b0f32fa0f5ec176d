package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/batonhq/baton/leadership"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// observability holds the OpenTelemetry providers the elections report to:
// metrics served for Prometheus with -metrics, spans printed with -trace.
// Without either flag it is empty and the elections use the (no-op) globals.
type observability struct {
	tracer  *sdktrace.TracerProvider
	meter   *sdkmetric.MeterProvider
	server  *http.Server
	served  chan error
	file    *os.File
	address string
}

// startObservability sets up what the flags ask for.
func startObservability(opts options) (*observability, error) {
	o := &observability{}
	if opts.traceFile != "" {
		w := io.Writer(os.Stdout)
		if opts.traceFile != "-" {
			f, err := os.Create(opts.traceFile)
			if err != nil {
				return nil, fmt.Errorf("-trace: %w", err)
			}
			o.file, w = f, f
		}
		exp, err := stdouttrace.New(stdouttrace.WithWriter(w), stdouttrace.WithPrettyPrint())
		if err != nil {
			o.close()
			return nil, fmt.Errorf("-trace: %w", err)
		}
		o.tracer = sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	}
	if opts.metricsAddr != "" {
		registry := prometheus.NewRegistry()
		exp, err := otelprom.New(otelprom.WithRegisterer(registry))
		if err != nil {
			o.close()
			return nil, fmt.Errorf("-metrics: %w", err)
		}
		o.meter = sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))
		ln, err := net.Listen("tcp", opts.metricsAddr)
		if err != nil {
			o.close()
			return nil, fmt.Errorf("-metrics: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
		o.server = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		o.served = make(chan error, 1)
		o.address = ln.Addr().String()
		go func() { o.served <- o.server.Serve(ln) }()
	}
	return o, nil
}

// apply sets the providers on an election's config.
func (o *observability) apply(cfg *leadership.Config) {
	if o.tracer != nil {
		cfg.Telemetry.TracerProvider = o.tracer
	}
	if o.meter != nil {
		cfg.Telemetry.MeterProvider = o.meter
	}
}

// close flushes and stops everything started.
func (o *observability) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if o.server != nil {
		_ = o.server.Shutdown(ctx)
		if err := <-o.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "demo: metrics server:", err)
		}
	}
	if o.meter != nil {
		_ = o.meter.Shutdown(ctx)
	}
	if o.tracer != nil {
		_ = o.tracer.Shutdown(ctx)
	}
	if o.file != nil {
		_ = o.file.Close()
	}
}
