package docker

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/docker/cli/cli/command"
	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/configfile"
	ctxdocker "github.com/docker/cli/cli/context/docker"
	"github.com/docker/cli/cli/context/store"
	cliflags "github.com/docker/cli/cli/flags"
	"github.com/docker/docker/client"
	"github.com/spf13/pflag"
)

// NewForContext connects to the engine the Docker CLI would use with `--context name`
// (name "" when the flag is not given), through docker/cli's own context store and
// connection helpers, so TLS material and ssh:// hosts work as they do for `docker`:
//
//  1. --context (name), when given;
//  2. the default context when DOCKER_HOST is set (DOCKER_TLS_VERIFY and DOCKER_CERT_PATH
//     apply, as for docker);
//  3. DOCKER_CONTEXT;
//  4. currentContext in config.json (DOCKER_CONFIG, else ~/.docker);
//  5. the default context: the default socket.
//
// It does not dial: the first call does.
func NewForContext(name string) (*Engine, error) {
	// docker's own client options, with its defaults from the environment (TLS, cert path).
	opts := cliflags.NewClientOptions()
	fs := pflag.NewFlagSet("docker", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	opts.InstallFlags(fs)
	opts.Context = name
	opts.SetDefaultOptions(fs)

	dir := configDir()
	cfg, err := config.Load(dir)
	if err != nil {
		cfg = configfile.New(filepath.Join(dir, config.ConfigFileName))
	}
	ctxName := contextName(opts, cfg)

	storeCfg := command.DefaultContextStoreConfig()
	s := &command.ContextStoreWithDefault{
		Store: store.New(filepath.Join(dir, "contexts"), storeCfg),
		Resolver: func() (*command.DefaultContext, error) {
			return command.ResolveDefaultContext(opts, storeCfg)
		},
	}
	meta, err := s.GetMetadata(ctxName)
	if err != nil {
		return nil, fmt.Errorf("docker context %q: %w", ctxName, err)
	}
	epMeta, err := ctxdocker.EndpointFromContext(meta)
	if err != nil {
		return nil, fmt.Errorf("docker context %q: %w", ctxName, err)
	}
	ep, err := ctxdocker.WithTLSData(s, ctxName, epMeta)
	if err != nil {
		return nil, fmt.Errorf("docker context %q: %w", ctxName, err)
	}
	clientOpts, err := ep.ClientOpts()
	if err != nil {
		return nil, fmt.Errorf("docker context %q: %w", ctxName, err)
	}
	if len(cfg.HTTPHeaders) > 0 {
		clientOpts = append(clientOpts, client.WithHTTPHeaders(cfg.HTTPHeaders))
	}
	clientOpts = append(clientOpts, client.WithAPIVersionNegotiation())
	cli, err := client.NewClientWithOpts(clientOpts...)
	if err != nil {
		return nil, fmt.Errorf("docker client: %w", err)
	}
	host := ep.Host
	if host == "" {
		host = cli.DaemonHost()
	}
	return &Engine{cli: cli, host: host}, nil
}

// contextName is docker/cli's resolveContextName (cli/command/cli.go), which it does not
// export; the order is documented on [NewForContext].
func contextName(opts *cliflags.ClientOptions, cfg *configfile.ConfigFile) string {
	if opts.Context != "" {
		return opts.Context
	}
	if len(opts.Hosts) > 0 || os.Getenv(client.EnvOverrideHost) != "" {
		return command.DefaultContextName
	}
	if name := os.Getenv(command.EnvOverrideContext); name != "" {
		return name
	}
	if cfg != nil && cfg.CurrentContext != "" {
		return cfg.CurrentContext
	}
	return command.DefaultContextName
}

// configDir is the Docker CLI's configuration folder. config.Dir caches its answer for the
// life of the process; reading DOCKER_CONFIG here keeps tests that change it honest.
func configDir() string {
	if d := os.Getenv(config.EnvOverrideConfigDir); d != "" {
		return d
	}
	return config.Dir()
}
