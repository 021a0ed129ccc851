using System.Reflection;
using System.Text;

namespace Octopus.Client.Tests;

/// <summary>The public-API baseline: Octopus.Client's public surface, rendered by reflection, must equal the committed
/// src/Octopus.Client/PublicAPI.txt, so every change to it is deliberate and shows up in review. After a deliberate
/// change, run the test with OCTOPUS_UPDATE_PUBLIC_API=1 to rewrite the file, and commit it.</summary>
public class PublicApiTests
{
    [Fact]
    public void PublicSurface_MatchesCommittedBaseline()
    {
        var baselinePath = Path.Combine(RepoRoot(), "src", "Octopus.Client", "PublicAPI.txt");
        var actual = Render(typeof(OctopusClient).Assembly);
        if (Environment.GetEnvironmentVariable("OCTOPUS_UPDATE_PUBLIC_API") == "1") File.WriteAllText(baselinePath, actual);
        var expected = File.Exists(baselinePath) ? File.ReadAllText(baselinePath).ReplaceLineEndings("\n") : "";

        var expectedLines = expected.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var actualLines = actual.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var diff = new StringBuilder();
        foreach (var removed in expectedLines.Except(actualLines).Order(StringComparer.Ordinal)) diff.AppendLine("- " + removed);
        foreach (var added in actualLines.Except(expectedLines).Order(StringComparer.Ordinal)) diff.AppendLine("+ " + added);
        diff.Length.Should().Be(0,
            $"the public API of Octopus.Client changed; if that is deliberate, run this test with OCTOPUS_UPDATE_PUBLIC_API=1 and commit {baselinePath}:\n{diff}");
    }

    /// <summary>One line per public type and per public or protected member it declares, sorted.</summary>
    internal static string Render(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes())
        {
            var t = Name(type);
            lines.Add($"{Kind(type)} {t}{Bases(type)}");
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var m in type.GetMembers(all))
            {
                if (!Visible(m)) continue;
                var line = m switch
                {
                    ConstructorInfo c => $"{t}.ctor({Params(c)})",
                    MethodInfo mi when mi.IsSpecialName => null, // property and event accessors are listed with their owner
                    MethodInfo mi => $"{t}.{(mi.IsStatic ? "static " : "")}{mi.Name}{Generic(mi)}({Params(mi)}) -> {Name(mi.ReturnType)}",
                    PropertyInfo p => $"{t}.{p.Name} {{{(p.GetMethod is { } g && Visible(g) ? " get;" : "")}{(p.SetMethod is { } s && Visible(s) ? (IsInit(s) ? " init;" : " set;") : "")} }} -> {Name(p.PropertyType)}",
                    FieldInfo f => $"{t}.{(f.IsLiteral ? "const " : f.IsStatic ? "static " : "")}{f.Name} -> {Name(f.FieldType)}",
                    EventInfo e => $"{t}.event {e.Name} -> {Name(e.EventHandlerType!)}",
                    Type => null, // nested types are listed as types
                    _ => $"{t}.{m.Name}",
                };
                if (line is not null) lines.Add(line);
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return string.Join("\n", lines) + "\n";
    }

    private static bool Visible(MemberInfo m) => m switch
    {
        MethodBase b => b.IsPublic || b.IsFamily || b.IsFamilyOrAssembly,
        FieldInfo f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly,
        PropertyInfo p => (p.GetMethod is { } g && Visible(g)) || (p.SetMethod is { } s && Visible(s)),
        EventInfo e => e.AddMethod is { } a && Visible(a),
        _ => false,
    };

    private static bool IsInit(MethodInfo setter) =>
        setter.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.FullName == "System.Runtime.CompilerServices.IsExternalInit");

    private static string Kind(Type t) =>
        t.IsEnum ? "enum" : t.IsInterface ? "interface" : t.IsValueType ? "struct" : t.IsAbstract && t.IsSealed ? "static class"
        : typeof(Delegate).IsAssignableFrom(t) ? "delegate" : (t.IsSealed ? "sealed class" : t.IsAbstract ? "abstract class" : "class");

    private static string Bases(Type t)
    {
        var bases = new List<string>();
        if (t.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum)) bases.Add(Name(b));
        bases.AddRange(t.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Select(Name).Order(StringComparer.Ordinal));
        return bases.Count == 0 ? "" : " : " + string.Join(", ", bases);
    }

    private static string Params(MethodBase m) => string.Join(", ", m.GetParameters().Select(p =>
        $"{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue?.ToString() ?? "null") : "")}"));

    private static string Generic(MethodInfo m) =>
        m.IsGenericMethodDefinition ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">" : "";

    private static string Name(Type t)
    {
        if (t.IsByRef) return "ref " + Name(t.GetElementType()!);
        if (t.IsArray) return Name(t.GetElementType()!) + "[]";
        if (t.IsGenericParameter) return t.Name;
        if (Nullable.GetUnderlyingType(t) is { } u) return Name(u) + "?";
        var name = t.IsNested ? Name(t.DeclaringType!) + "." + t.Name : t.Namespace + "." + t.Name;
        if (!t.IsGenericType) return name;
        return name[..name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", t.GetGenericArguments().Select(Name)) + ">";
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Octopus.slnx"))) return d.FullName;
        throw new InvalidOperationException("cannot find the repository root (Octopus.slnx) above " + AppContext.BaseDirectory);
    }
}
