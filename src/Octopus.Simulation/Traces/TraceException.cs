namespace Octopus.Simulation.Traces;

/// <summary>A trace folder could not be read; the message says which file and what to do.</summary>
public sealed class TraceException : Exception
{
    public TraceException(string message) : base(message) { }
    public TraceException(string message, Exception inner) : base(message, inner) { }
    public TraceException() { }
}
