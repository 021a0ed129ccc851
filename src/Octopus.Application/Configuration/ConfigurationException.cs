namespace Octopus.Application.Configuration;

/// <summary>A configuration value is wrong. The message names the key and what to write instead.</summary>
public sealed class ConfigurationException(string key, string problem) : Exception($"configuration error at {key}: {problem}")
{
    public string Key { get; } = key;

    /// <summary>What is wrong and what to write instead.</summary>
    public string Problem { get; } = problem;
}
