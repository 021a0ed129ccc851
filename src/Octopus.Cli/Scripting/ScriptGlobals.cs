using Octopus.Client;

namespace Octopus.Cli.Scripting;

/// <summary>What a C# script or the shell sees as globals: the connected client as <c>octopus</c> (lower case, so the
/// <c>Octopus.*</c> namespaces stay reachable), the script's arguments, and <see cref="Print"/>. Public because Roslyn
/// compiles scripts against it.</summary>
public sealed class ScriptGlobals
{
    private readonly TextWriter _out;

    internal ScriptGlobals(OctopusClient client, IReadOnlyList<string> args, TextWriter output)
    {
        octopus = client;
        Args = args;
        _out = output;
    }

    /// <summary>The client, connected with the CLI's URL and token (<c>--url</c>/<c>--token</c>, <c>OCTOPUS_URL</c>/
    /// <c>OCTOPUS_TOKEN</c>, or <c>octopus login</c>).</summary>
#pragma warning disable IDE1006, CA1707 // a script reads `octopus.Vms`; `Octopus` would hide the namespace of the same name.
    public OctopusClient octopus { get; }
#pragma warning restore IDE1006, CA1707

    /// <summary>The arguments after the script's file name (<c>octopus script FILE.csx -- a b</c>).</summary>
    public IReadOnlyList<string> Args { get; }

    /// <summary>Writes <paramref name="value"/> on its own line to the CLI's output; lists one item per line.</summary>
    public void Print(object? value) => ScriptRunner.Render(_out, value);
}
