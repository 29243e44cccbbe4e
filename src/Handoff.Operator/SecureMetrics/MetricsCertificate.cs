using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Handoff.Operator.SecureMetrics;

/// <summary>
/// The TLS certificate of the metrics endpoint: a self-signed one made at start (in memory only), or a PEM certificate
/// and key from files — typically <c>tls.crt</c>/<c>tls.key</c> of a mounted Secret (cert-manager's) — read again when
/// they change on disk (a Secret update replaces them), checked at most every <see cref="ReloadCheckInterval"/>.
/// </summary>
public sealed class MetricsCertificate : IDisposable
{
    /// <summary>How often the files are checked for a new certificate.</summary>
    public static readonly TimeSpan ReloadCheckInterval = TimeSpan.FromSeconds(10);

    private readonly string? _certificateFile;
    private readonly string? _keyFile;
    private readonly TimeProvider _time;
    private ILogger? _logger;
    private readonly Lock _lock = new();
    private X509Certificate2 _current;
    private (DateTime Certificate, DateTime Key) _loadedVersion;
    private DateTimeOffset _nextCheck;

    private MetricsCertificate(X509Certificate2 current, string? certificateFile, string? keyFile, TimeProvider time)
    {
        _current = current;
        _certificateFile = certificateFile;
        _keyFile = keyFile;
        _time = time;
        _nextCheck = time.GetUtcNow() + ReloadCheckInterval;
        if (certificateFile is not null && keyFile is not null)
        {
            _loadedVersion = (File.GetLastWriteTimeUtc(certificateFile), File.GetLastWriteTimeUtc(keyFile));
        }
    }

    /// <summary>Where reloads are reported (the host's logger exists only after the certificate was loaded).</summary>
    public void ReportTo(ILogger logger) => _logger = logger;

    /// <summary>What the certificate is, for the log: its file or "a self-signed certificate".</summary>
    public string Description => _certificateFile is null ? $"a self-signed certificate ({Current.Subject})" : $"the certificate of {_certificateFile}";

    /// <summary>A self-signed certificate for localhost, the loopback addresses and <paramref name="hostNames"/>, valid for a year.</summary>
    public static MetricsCertificate SelfSigned(TimeProvider time, IEnumerable<string> hostNames)
    {
        var now = time.GetUtcNow();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=handoff-operator-metrics", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in hostNames.Append("localhost").Where(n => n.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            names.AddDnsName(name);
        }

        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
        return new MetricsCertificate(Portable(created), null, null, time);
    }

    /// <summary>Loads a PEM certificate (chain) and its PEM private key; throws <see cref="IOException"/> naming the files when they cannot be used.</summary>
    public static MetricsCertificate FromFiles(string certificateFile, string keyFile, TimeProvider time) =>
        new(Load(certificateFile, keyFile), certificateFile, keyFile, time);

    /// <summary>The certificate to present now (the files are re-read when they changed since the last check).</summary>
    public X509Certificate2 Current
    {
        get
        {
            if (_certificateFile is null || _time.GetUtcNow() < _nextCheck)
            {
                return _current;
            }

            lock (_lock)
            {
                if (_time.GetUtcNow() >= _nextCheck)
                {
                    _nextCheck = _time.GetUtcNow() + ReloadCheckInterval;
                    Reload();
                }

                return _current;
            }
        }
    }

    private void Reload()
    {
        try
        {
            var version = (File.GetLastWriteTimeUtc(_certificateFile!), File.GetLastWriteTimeUtc(_keyFile!));
            if (version == _loadedVersion)
            {
                return;
            }

            var next = Load(_certificateFile!, _keyFile!);
            // The previous one may still be in use by a handshake: left to the garbage collector rather than disposed.
            _current = next;
            _loadedVersion = version;
            if (_logger is not null)
            {
                Log.MetricsCertificateReloaded(_logger, _certificateFile!, next.Subject, next.NotAfter.ToUniversalTime());
            }
        }
        catch (IOException e)
        {
            // Half-written during a Secret update, or briefly missing: the next check tries again.
            if (_logger is not null)
            {
                Log.MetricsCertificateNotReloaded(_logger, _certificateFile!, e.Message);
            }
        }
    }

    private static X509Certificate2 Load(string certificateFile, string keyFile)
    {
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            return Portable(pem);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new IOException($"cannot load the metrics certificate {certificateFile} with the key {keyFile}: {e.Message}", e);
        }
    }

    /// <summary>Re-imported so the private key is usable by the TLS stack on every platform (an ephemeral key is not on Windows).</summary>
    private static X509Certificate2 Portable(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);

    public void Dispose() => _current.Dispose();
}
