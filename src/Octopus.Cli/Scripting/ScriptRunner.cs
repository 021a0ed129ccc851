using System.Collections;
using System.Diagnostics;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using Octopus.Cli.Infrastructure;
using Octopus.Client;

namespace Octopus.Cli.Scripting;

/// <summary>Compiles and runs C# scripts (Roslyn scripting) against <see cref="ScriptGlobals"/>: whole files for
/// <c>octopus script</c>, submission by submission for <c>octopus shell</c>. Compiler errors become
/// <c>FILE(line,col): error CSxxxx: …</c> lines; a failure inside the script names the script line it came from.</summary>
internal static class ScriptRunner
{
    /// <summary>Namespaces every script starts with, so <c>VmQuery</c>, <c>VmDto</c> and LINQ need no usings.</summary>
    public static readonly string[] Imports =
        ["System", "System.Linq", "System.Collections.Generic", "System.Threading", "System.Threading.Tasks", "Octopus.Client", "Octopus.Contracts"];

    public static ScriptOptions Options(string? filePath) => ScriptOptions.Default
        .WithReferences(typeof(OctopusClient).Assembly, typeof(Contracts.VmDto).Assembly, typeof(Enumerable).Assembly)
        .WithImports(Imports)
        .WithFilePath(filePath ?? "shell")
        .WithFileEncoding(System.Text.Encoding.UTF8)
        .WithEmitDebugInformation(true)
        .WithLanguageVersion(LanguageVersion.Latest);

    /// <summary>Runs a whole script file; returns the exit code. Compiler errors: printed, exit 1. Exceptions the CLI
    /// knows (<see cref="OctopusApiException"/>, <see cref="OctopusConnectionException"/>) propagate to its error
    /// handling; any other exception becomes one error line with the script's line number.</summary>
    public static async Task<int> RunFileAsync(string path, ScriptGlobals globals, TextWriter error, CancellationToken ct)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw CliException.Usage($"no script at {path}.", "Give the path of a .csx file.");
        var code = await File.ReadAllTextAsync(full, ct);
        var script = CSharpScript.Create(code, Options(full), typeof(ScriptGlobals));
        var errors = script.Compile(ct).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            foreach (var d in errors) error.WriteLine(Format(d));
            error.WriteLine($"error: {path} did not compile ({errors.Count} error{(errors.Count == 1 ? "" : "s")}).");
            return ExitCodes.Rejected;
        }
        try
        {
            await script.RunAsync(globals, ct);
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is not (OctopusApiException or OctopusConnectionException or OperationCanceledException or CliException))
        {
            throw CliException.Rejected($"the script failed{Where(e, full)}: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>"path(line,col): error CS0103: The name 'x' does not exist in the current context".</summary>
    public static string Format(Diagnostic d)
    {
        var span = d.Location.GetMappedLineSpan();
        var file = string.IsNullOrEmpty(span.Path) ? "script" : span.Path;
        return $"{file}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}): error {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    /// <summary>" at FILE:LINE" for the innermost stack frame in the script, when the debug information has it.</summary>
    public static string Where(Exception e, string file)
    {
        var frame = new StackTrace(e, fNeedFileInfo: true).GetFrames()
            .FirstOrDefault(f => string.Equals(f.GetFileName(), file, StringComparison.Ordinal) && f.GetFileLineNumber() > 0);
        return frame is null ? "" : $" at {Path.GetFileName(file)}:{frame.GetFileLineNumber()}";
    }

    /// <summary>Prints a value the way the shell shows results: strings as they are, lists one item per line.</summary>
    public static void Render(TextWriter output, object? value)
    {
        switch (value)
        {
            case null:
                output.WriteLine("null");
                break;
            case string s:
                output.WriteLine(s);
                break;
            case IEnumerable items:
                foreach (var item in items) output.WriteLine(item?.ToString() ?? "null");
                break;
            default:
                output.WriteLine(value.ToString());
                break;
        }
    }

    /// <summary>The shell: reads submissions from <paramref name="input"/> (a line, or several until the code is complete),
    /// runs each in the state the previous ones left, and prints its value. Errors are printed and the shell goes on;
    /// <c>#exit</c> or end of input ends it.</summary>
    public static async Task<int> ShellAsync(ScriptGlobals globals, TextReader input, TextWriter output, TextWriter error, bool prompt,
        CancellationToken ct)
    {
        var options = Options(null);
        var parse = CSharpParseOptions.Default.WithKind(SourceCodeKind.Script).WithLanguageVersion(LanguageVersion.Latest);
        ScriptState<object>? state = null;
        var pending = new System.Text.StringBuilder();
        while (true)
        {
            if (prompt) output.Write(pending.Length == 0 ? "> " : "* ");
            var line = await input.ReadLineAsync(ct);
            if (line is null || (pending.Length == 0 && line.Trim() is "#exit" or "exit" or "quit")) break;
            pending.AppendLine(line);
            var code = pending.ToString();
            if (string.IsNullOrWhiteSpace(code)) { pending.Clear(); continue; }
            if (!SyntaxFactory.IsCompleteSubmission(SyntaxFactory.ParseSyntaxTree(code, parse, cancellationToken: ct))) continue;
            pending.Clear();
            try
            {
                state = state is null
                    ? await CSharpScript.RunAsync(code, options, globals, typeof(ScriptGlobals), ct)
                    : await state.ContinueWithAsync(code, options, ct);
                if (state.ReturnValue is { } value) Render(output, value);
            }
            catch (CompilationErrorException e)
            {
                foreach (var d in e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)) error.WriteLine(Format(d));
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                error.WriteLine($"error: {Unwrap(e).Message}");
            }
        }
        if (pending.Length > 0) error.WriteLine("error: the input ended inside an incomplete submission; it was not run.");
        return ExitCodes.Ok;
    }

    private static Exception Unwrap(Exception e) => e is TargetInvocationException { InnerException: { } inner } ? inner : e;
}
