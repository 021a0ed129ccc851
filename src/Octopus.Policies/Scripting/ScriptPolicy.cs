using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;
using Octopus.Domain;
using Octopus.Policies.Evaluation;
using DurationText = Octopus.Policies.Language.DurationText;
using Octopus.Policies.Snapshots;

namespace Octopus.Policies.Scripting;

/// <summary>How a script run ended.</summary>
public enum ScriptOutcome
{
    Completed,
    /// <summary>The time limit passed; the script's proposals are discarded.</summary>
    TimedOut,
    /// <summary>The script threw; its proposals are discarded.</summary>
    Failed,
}

/// <summary>The result of one script run: its proposals (only when it completed), the outcome and the error.</summary>
public sealed record ScriptRunResult(ScriptOutcome Outcome, IReadOnlyList<IntendedAction> Proposals, string? Error, TimeSpan Elapsed);

/// <summary>An ADMIN-ONLY policy written in C# (Roslyn scripting) for what the condition language cannot express.
/// The code is trusted — it runs in the server's process with the server's rights — which is why only an administrator
/// may own one: <see cref="Create"/> refuses anyone else. It gets a <see cref="ScriptGlobals"/> (the snapshot and
/// methods that propose actions) and runs with a time limit: a cancellation check is compiled into every loop body and
/// method, and the caller stops waiting at the hard limit whatever the script does.</summary>
public sealed class ScriptPolicy
{
    /// <summary>Largest script accepted (64 KiB).</summary>
    public const int MaxCodeLength = 64 * 1024;

    private readonly Script<object> _script;

    private ScriptPolicy(string name, UserFacts owner, string code, Script<object> script, TimeSpan timeout)
    {
        Name = name;
        Owner = owner;
        Code = code;
        _script = script;
        Timeout = timeout;
    }

    public string Name { get; }
    public UserFacts Owner { get; }
    public string Code { get; }
    public TimeSpan Timeout { get; }

    /// <summary>Compiles a script policy for <paramref name="owner"/>, who must be an administrator.</summary>
    /// <exception cref="DomainException">Forbidden when the owner is not an admin; Validation (with line and column) when
    /// the code does not compile, is too long, or uses goto.</exception>
    public static ScriptPolicy Create(string name, UserFacts owner, string code, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(code);
        if (!owner.IsAdmin)
            throw new DomainException(ErrorKind.Forbidden, "policy.script-admin-only",
                $"Only administrators may own C# script policies ({owner.Name} is not one): scripts run as trusted code. Write a policy in the condition language instead.");
        if (code.Length > MaxCodeLength)
            throw DomainException.Invalid("code", $"The script is {code.Length} characters long; at most {MaxCodeLength}.");
        var limit = timeout ?? TimeSpan.FromSeconds(5);
        if (limit <= TimeSpan.Zero || limit > TimeSpan.FromMinutes(5))
            throw DomainException.Invalid("timeout", "The script timeout must be more than zero and at most 5 minutes.");

        var options = ScriptOptions.Default
            .WithReferences(typeof(PolicySnapshot).Assembly, typeof(DomainException).Assembly)
            .WithImports("System", "System.Linq", "System.Collections.Generic", "Octopus.Policies.Snapshots", "Octopus.Domain.Vms",
                "Octopus.Domain.Hosts", "Octopus.Domain.Users")
            .WithOptimizationLevel(OptimizationLevel.Release);

        // Diagnostics come from the code as written, so their positions match the author's text.
        var original = CSharpScript.Create<object>(code, options, typeof(ScriptGlobals));
        var errors = original.Compile().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            var first = errors[0].Location.GetLineSpan().StartLinePosition;
            throw DomainException.Invalid("code",
                $"line {first.Line + 1}, column {first.Character + 1}: {errors[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture)}" +
                (errors.Count > 1 ? $" (and {errors.Count - 1} more error(s))" : ""));
        }
        var tree = CSharpSyntaxTree.ParseText(code, CSharpParseOptions.Default.WithKind(SourceCodeKind.Script));
        var gotoAt = tree.GetRoot().DescendantNodes().FirstOrDefault(n => n is GotoStatementSyntax or LabeledStatementSyntax);
        if (gotoAt is not null)
        {
            var p = gotoAt.GetLocation().GetLineSpan().StartLinePosition;
            throw DomainException.Invalid("code", $"line {p.Line + 1}, column {p.Character + 1}: goto and labels are not allowed in script policies; use a loop.");
        }
        var guarded = new GuardInserter().Visit(tree.GetRoot()).ToFullString();
        var script = CSharpScript.Create<object>(guarded, options, typeof(ScriptGlobals));
        script.Compile();
        return new ScriptPolicy(name, owner, code, script, limit);
    }

    /// <summary>Runs the script over <paramref name="snapshot"/>. Never throws for the script's faults: a timeout or an
    /// exception is the <see cref="ScriptRunResult.Outcome"/>, with the error, and no proposals.</summary>
    public async Task<ScriptRunResult> RunAsync(PolicySnapshot snapshot, TimeProvider time, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(Timeout);
        var globals = new ScriptGlobals(Name, Owner.Name, snapshot, cts.Token);
        var started = time.GetTimestamp();
        // A dedicated thread: a script that never reaches a guard (a blocking call) then holds no pool thread while we stop waiting.
        var run = Task.Factory.StartNew(() => _script.RunAsync(globals, cts.Token), cts.Token, TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap();
        try
        {
            // Hard limit: stop waiting a little after the timeout even if the script ignores cancellation.
            await run.WaitAsync(Timeout + TimeSpan.FromMilliseconds(500), time, ct);
            return new ScriptRunResult(ScriptOutcome.Completed, globals.Proposed.ToList(), null, time.GetElapsedTime(started));
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException && !ct.IsCancellationRequested)
        {
            return new ScriptRunResult(ScriptOutcome.TimedOut, [], $"script {Name} ran longer than {DurationText.Format(Timeout)} and was stopped",
                time.GetElapsedTime(started));
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var inner = e is AggregateException { InnerException: { } i } ? i : e;
            return new ScriptRunResult(ScriptOutcome.Failed, [], $"script {Name} failed: {inner.GetType().Name}: {inner.Message}",
                time.GetElapsedTime(started));
        }
    }

    /// <summary>Inserts <c>Guard();</c> at the top of every loop body, method, local function and block-bodied lambda.</summary>
    private sealed class GuardInserter : CSharpSyntaxRewriter
    {
        private static StatementSyntax GuardCall() => SyntaxFactory.ParseStatement("Guard();");

        private static BlockSyntax Guarded(StatementSyntax body) => body is BlockSyntax b
            ? b.WithStatements(b.Statements.Insert(0, GuardCall()))
            : SyntaxFactory.Block(GuardCall(), body);

        public override SyntaxNode? VisitWhileStatement(WhileStatementSyntax node)
        {
            var n = (WhileStatementSyntax)base.VisitWhileStatement(node)!;
            return n.WithStatement(Guarded(n.Statement));
        }

        public override SyntaxNode? VisitDoStatement(DoStatementSyntax node)
        {
            var n = (DoStatementSyntax)base.VisitDoStatement(node)!;
            return n.WithStatement(Guarded(n.Statement));
        }

        public override SyntaxNode? VisitForStatement(ForStatementSyntax node)
        {
            var n = (ForStatementSyntax)base.VisitForStatement(node)!;
            return n.WithStatement(Guarded(n.Statement));
        }

        public override SyntaxNode? VisitForEachStatement(ForEachStatementSyntax node)
        {
            var n = (ForEachStatementSyntax)base.VisitForEachStatement(node)!;
            return n.WithStatement(Guarded(n.Statement));
        }

        public override SyntaxNode? VisitMethodDeclaration(MethodDeclarationSyntax node)
        {
            var n = (MethodDeclarationSyntax)base.VisitMethodDeclaration(node)!;
            if (n.Body is { } body) return n.WithBody(Guarded(body));
            if (n.ExpressionBody is { } e) return n.WithExpressionBody(null).WithSemicolonToken(default).WithBody(Block(n.ReturnType, e.Expression));
            return n;
        }

        public override SyntaxNode? VisitLocalFunctionStatement(LocalFunctionStatementSyntax node)
        {
            var n = (LocalFunctionStatementSyntax)base.VisitLocalFunctionStatement(node)!;
            if (n.Body is { } body) return n.WithBody(Guarded(body));
            if (n.ExpressionBody is { } e) return n.WithExpressionBody(null).WithSemicolonToken(default).WithBody(Block(n.ReturnType, e.Expression));
            return n;
        }

        public override SyntaxNode? VisitParenthesizedLambdaExpression(ParenthesizedLambdaExpressionSyntax node)
        {
            var n = (ParenthesizedLambdaExpressionSyntax)base.VisitParenthesizedLambdaExpression(node)!;
            return n.Block is { } b ? n.WithBlock(Guarded(b)) : n;
        }

        public override SyntaxNode? VisitSimpleLambdaExpression(SimpleLambdaExpressionSyntax node)
        {
            var n = (SimpleLambdaExpressionSyntax)base.VisitSimpleLambdaExpression(node)!;
            return n.Block is { } b ? n.WithBlock(Guarded(b)) : n;
        }

        private static BlockSyntax Block(TypeSyntax returnType, ExpressionSyntax e) =>
            returnType is PredefinedTypeSyntax p && p.Keyword.IsKind(SyntaxKind.VoidKeyword)
                ? SyntaxFactory.Block(GuardCall(), SyntaxFactory.ExpressionStatement(e)).NormalizeWhitespace()
                : SyntaxFactory.Block(GuardCall(), SyntaxFactory.ReturnStatement(e)).NormalizeWhitespace();
    }
}
