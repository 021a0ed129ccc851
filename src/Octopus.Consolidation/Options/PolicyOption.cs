using System.Globalization;

namespace Octopus.Consolidation.Options;

/// <summary>One tunable setting of a policy family: its key (<c>family.name</c>, e.g. <c>octopus.fill</c>), what it
/// means, its valid range (inclusive) and its default.</summary>
/// <param name="Key">Lower-case <c>family.name</c>; the family is the policy it tunes (<c>octopus</c>, <c>lr</c>, …).</param>
/// <param name="Description">One sentence: what it changes.</param>
/// <param name="Min">Smallest valid value.</param>
/// <param name="Max">Largest valid value.</param>
/// <param name="Default">Value when not set.</param>
/// <param name="IsInteger">Only whole numbers are valid.</param>
public sealed record PolicyOption(string Key, string Description, double Min, double Max, double Default, bool IsInteger = false)
{
    /// <summary>The policy family the option belongs to: the part of the key before the first dot.</summary>
    public string Family => Key[..Key.IndexOf('.', StringComparison.Ordinal)];

    /// <summary>The valid range as people read it: "0.5 to 1" or "whole number 2 to 30".</summary>
    public string Range => IsInteger ? FormattableString.Invariant($"a whole number from {Min} to {Max}") : FormattableString.Invariant($"from {Min} to {Max}");

    /// <summary>Whether the value is in range (finite, within [Min, Max], whole when it must be).</summary>
    public bool Accepts(double value) =>
        double.IsFinite(value) && value >= Min && value <= Max && (!IsInteger || value == Math.Floor(value));

    /// <summary>The message for a value out of range, naming the option, its range and the value.</summary>
    public string OutOfRange(double value) =>
        string.Create(CultureInfo.InvariantCulture, $"option {Key} must be {Range}; got {value}");
}
