using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Detectors;

/// <summary>The outcome of an overload check, with the number it was decided on.</summary>
/// <param name="Overloaded">Whether the host is (or is predicted to be) overloaded.</param>
/// <param name="Metric">What was compared: current or predicted utilisation.</param>
/// <param name="Threshold">What it was compared against.</param>
/// <param name="Detector">Name of the detector that decided (a fallback names itself).</param>
public readonly record struct OverloadVerdict(bool Overloaded, double Metric, double Threshold, string Detector);

/// <summary>Decides whether a host is overloaded. Contract: pure; reads the planning state and never changes it;
/// <c>extraVm</c> ≥ 0 asks "would it be overloaded with this VM added?" without adding it.</summary>
public interface IOverloadDetector
{
    string Name { get; }

    OverloadVerdict Evaluate(PlacementState state, int host, int extraVm);
}
