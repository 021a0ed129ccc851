using System.Text.Json;
using System.Text.Json.Serialization;
using Octopus.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Octopus.Cli.Rendering;

/// <summary>Where a command's results go. For people: Spectre tables on stdout, colour and spinners only when stdout is
/// a terminal. For scripts (<c>--json</c>): stdout carries only JSON; anything else goes to stderr.</summary>
public sealed class Output
{
    /// <summary>The API's own shapes and names (camelCase), indented for reading.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private readonly CliHost _host;

    public Output(CliHost host, bool json)
    {
        _host = host;
        Json = json;
        var terminal = host.OutputIsTerminal;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(host.Out),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        // A pipe has no width; 80 columns would wrap wide tables into unreadable, ungreppable cells.
        if (!terminal) Console.Profile.Width = 200;
    }

    public IAnsiConsole Console { get; }
    public bool Json { get; }

    /// <summary>True when a person is watching stdout: spinners and colour make sense.</summary>
    public bool Interactive => _host.OutputIsTerminal && !Json;

    public void WriteJson<T>(T value) => _host.Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    public void Write(IRenderable renderable) => Console.Write(renderable);

    /// <summary>A line for people; with --json it goes to stderr so stdout stays parseable.</summary>
    public void Note(string text)
    {
        if (Json) _host.Error.WriteLine(text);
        else Console.WriteLine(text);
    }

    /// <summary>A line of Spectre markup for people (dropped to plain text on stderr with --json).</summary>
    public void NoteMarkup(string markup)
    {
        if (Json) _host.Error.WriteLine(Markup.Remove(markup));
        else Console.MarkupLine(markup);
    }

    public void Warning(string text) => _host.Error.WriteLine("warning: " + text);

    public void Error(string message, string? hint)
    {
        _host.Error.WriteLine("error: " + message);
        if (hint is not null) _host.Error.WriteLine("  " + hint);
    }

    /// <summary>A table in the house look: rounded on a terminal, plain ASCII-free minimal borders in a pipe.</summary>
    public Table NewTable(params string[] columns)
    {
        var table = new Table { Border = _host.OutputIsTerminal ? TableBorder.Rounded : TableBorder.Simple };
        foreach (var c in columns) table.AddColumn(new TableColumn(new Markup($"[bold]{Markup.Escape(c)}[/]")).NoWrap());
        return table;
    }
}
