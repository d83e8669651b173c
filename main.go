// Command ciem is one binary with two faces: when Terraform or OpenTofu launches it as a
// plugin it serves the ciem provider; otherwise it is the ciem command line.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/ciem/ciem/internal/cli"
	"github.com/ciem/ciem/provider"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// pluginCookieEnv is the handshake variable Terraform and OpenTofu set when they launch a
// provider plugin (go-plugin's magic cookie for protocol 5 and 6 alike).
const pluginCookieEnv = "TF_PLUGIN_MAGIC_COOKIE"

func main() {
	if os.Getenv(pluginCookieEnv) != "" || len(os.Args) > 1 && os.Args[1] == "-debug" {
		os.Exit(serveProvider())
	}
	os.Exit(cli.Execute(context.Background(), version, os.Args[1:]))
}

func serveProvider() int {
	var debug bool
	fs := flag.NewFlagSet("terraform-provider-ciem", flag.ContinueOnError)
	fs.BoolVar(&debug, "debug", false, "start the provider with support for debuggers like delve")
	if err := fs.Parse(os.Args[1:]); err != nil {
		return 2
	}
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: provider.Address,
		Debug:   debug,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
