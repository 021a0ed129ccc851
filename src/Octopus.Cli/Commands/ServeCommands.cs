using System.CommandLine;
using Octopus.Cli.Infrastructure;
using Octopus.Server;

namespace Octopus.Cli.Commands;

/// <summary><c>serve</c>: runs the Octopus server in this process (Octopus.Server does the work; this only maps the
/// command line). Needs no login. Exit 2 when the configuration or the data folder is unusable.</summary>
internal static class ServeCommands
{
    public static Command Build(CliGlobals g)
    {
        var port = new Option<int?>("--port", "-p")
        {
            Description = "TCP port to listen on (0 picks a free one; default 5080, or the config file's)",
            HelpName = "PORT",
        };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 0 or > 65535) r.AddError("--port must be between 0 and 65535.");
        });
        var data = new Option<string?>("--data")
        {
            Description = "Folder for the store and the simulated cluster's state (default ./data, or the config file's)",
            HelpName = "DIR",
        };
        var config = new Option<string?>("--config")
        {
            Description = "Configuration file (JSON, section \"Octopus\": cluster, images, scheduler, quotas)",
            HelpName = "FILE",
        };
        var bind = new Option<string?>("--bind")
        {
            Description = "Address to listen on (default 127.0.0.1; 0.0.0.0 only behind a TLS proxy)",
            HelpName = "ADDRESS",
        };
        var driver = new Option<string?>("--driver")
        {
            Description = "What runs VMs: simulated (default) or qemu (the hosts are the registered `octopus agent`s)",
            HelpName = "simulated|qemu",
        };
        driver.AcceptOnlyFromAmong("simulated", "qemu");
        var command = new Command("serve", "Run the Octopus server: REST API, web page and the simulated cluster")
        {
            port, data, config, bind, driver,
        };
        command.SetAction((parse, ct) => OctopusServer.RunAsync(
            new ServerCommandLine(parse.GetValue(port), parse.GetValue(data), parse.GetValue(config), parse.GetValue(bind), parse.GetValue(driver)),
            g.Host.Out, ct));
        return command;
    }
}
