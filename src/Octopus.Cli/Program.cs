using Octopus.Cli;
using Octopus.Cli.Infrastructure;

return await CliApp.RunAsync(args, CliHost.FromProcess());
