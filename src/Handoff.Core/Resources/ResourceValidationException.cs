namespace Handoff.Core.Resources;

/// <summary>
/// A resource name or quantity that Handoff cannot accept. The message names the resource and the value,
/// e.g. <c>cpu: invalid quantity "abc"</c>; callers that know the object and field prefix it.
/// </summary>
public sealed class ResourceValidationException : Exception
{
    public ResourceValidationException(string resourceName, string? value, string message)
        : base(message)
    {
        ResourceName = resourceName;
        Value = value;
    }

    public ResourceValidationException()
    {
        ResourceName = "";
    }

    public ResourceValidationException(string message)
        : base(message)
    {
        ResourceName = "";
    }

    public ResourceValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        ResourceName = "";
    }

    /// <summary>The offending resource name.</summary>
    public string ResourceName { get; }

    /// <summary>The offending value as written, if the value was the problem.</summary>
    public string? Value { get; }
}
