namespace Handoff.Operator;

/// <summary>6xx: the /metrics endpoint (its TLS certificate, and the authentication and authorization of scrapers).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Serving /metrics over HTTPS on {Address} with {Certificate}; scrapers are authenticated (TokenReview) and authorized (SubjectAccessReview) by the API server")]
    public static partial void MetricsServingSecurely(ILogger logger, string address, string certificate);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "Serving /metrics over plain HTTP on {Address} without authentication (--metrics-secure=false)")]
    public static partial void MetricsServingInsecurely(ILogger logger, string address);

    [LoggerMessage(EventId = 602, Level = LogLevel.Warning, Message = "Could not authenticate a /metrics request: the TokenReview failed")]
    public static partial void MetricsAuthenticationError(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 603, Level = LogLevel.Warning, Message = "Could not authorize {User} for /metrics: the SubjectAccessReview failed")]
    public static partial void MetricsAuthorizationError(ILogger logger, Exception exception, string user);

    [LoggerMessage(EventId = 604, Level = LogLevel.Debug, Message = "/metrics request refused ({Status}): {Reason}")]
    public static partial void MetricsRequestRefused(ILogger logger, int status, string reason);

    [LoggerMessage(EventId = 605, Level = LogLevel.Warning, Message = "Could not reload the metrics certificate from {CertificateFile}; still serving the previous one: {Problem}")]
    public static partial void MetricsCertificateNotReloaded(ILogger logger, string certificateFile, string problem);

    [LoggerMessage(EventId = 606, Level = LogLevel.Information, Message = "Reloaded the metrics certificate from {CertificateFile} ({Subject}, valid until {NotAfter})")]
    public static partial void MetricsCertificateReloaded(ILogger logger, string certificateFile, string subject, DateTime notAfter);
}
