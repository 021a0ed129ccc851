using Octopus.Simulation.Output;

// Runs the trace-driven simulator from the command line until `octopus simulate` is wired into the CLI.
if (!SimulateArguments.TryParse(args, out var options, out var error))
{
    Console.Error.WriteLine($"error: {error}");
    return SimulateCommand.ExitBadInput;
}
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};
return await SimulateCommand.RunAsync(options!, Console.Out, cts.Token);
