using System.IO.Compression;
using System.Management.Automation;
using System.Security.Cryptography;
using System.Xml;
using System.Xml.Linq;

namespace DockerHostTools.Fleet;

/// <summary>What became of one host of Install-DockerHostTools.</summary>
public enum InstallStatus
{
    /// <summary>The host had no DockerHostTools; the package's version is installed now.</summary>
    Installed,

    /// <summary>The host had other versions only; the package's version is installed beside them now.</summary>
    Upgraded,

    /// <summary>The host already had the package's version: nothing was copied or changed.</summary>
    AlreadyCurrent,

    /// <summary>The host could not be reached, or the copy, the install or the version check failed there.</summary>
    Failed,
}

/// <summary>The constant reason ids of an install result (a public contract: scripts match on them).</summary>
public static class InstallReasons
{
    /// <summary>Installed on a host that had no DockerHostTools.</summary>
    public const string Installed = nameof(Installed);

    /// <summary>Installed on a host that had other versions.</summary>
    public const string Upgraded = nameof(Upgraded);

    /// <summary>The host had the version already.</summary>
    public const string AlreadyCurrent = nameof(AlreadyCurrent);

    /// <summary>No SSH session to the host.</summary>
    public const string HostUnreachable = FleetReasons.HostUnreachable;

    /// <summary>A -Session given is not open.</summary>
    public const string SessionNotOpened = FleetReasons.SessionNotOpened;

    /// <summary>The host's PowerShell has no Microsoft.PowerShell.PSResourceGet (it ships with PowerShell 7.4 and later).</summary>
    public const string PSResourceGetMissing = nameof(PSResourceGetMissing);

    /// <summary>Copying the package to the host failed, or it arrived with another SHA256.</summary>
    public const string CopyFailed = nameof(CopyFailed);

    /// <summary>Install-PSResource from the host's local repository failed.</summary>
    public const string InstallFailed = nameof(InstallFailed);

    /// <summary>Install-PSResource returned, but Get-Module -ListAvailable does not list the version on the host.</summary>
    public const string VersionCheckFailed = nameof(VersionCheckFailed);

    /// <summary>The host's answer to the probe was not understood, or its session broke under a call.</summary>
    public const string RemoteCommandFailed = FleetReasons.RemoteCommandFailed;

    /// <summary>
    /// The host has a version newer than the package's: nothing is copied or changed (the diagnosis imports the highest
    /// version, so installing the older one beside it would change nothing the fleet commands use).
    /// </summary>
    public const string NewerVersionInstalled = nameof(NewerVersionInstalled);
}

/// <summary>One host of Install-DockerHostTools: what was there, what is there now, and why.</summary>
public sealed class DockerHostInstallResult
{
    internal DockerHostInstallResult(string hostName, InstallStatus status, string reason, string version, string message)
    {
        HostName = hostName;
        Status = status;
        Reason = reason;
        Version = version;
        Message = message;
    }

    /// <summary>The host as it was addressed (the session's ComputerName).</summary>
    public string HostName { get; }

    /// <summary>The host as it was addressed, under the name Invoke-Command gives it.</summary>
    public string PSComputerName => HostName;

    /// <summary>Installed, Upgraded, AlreadyCurrent or Failed.</summary>
    public InstallStatus Status { get; }

    /// <summary>The constant reason id (InstallReasons).</summary>
    public string Reason { get; }

    /// <summary>The package's version.</summary>
    public string Version { get; }

    /// <summary>The DockerHostTools versions the host had before (comma-separated, highest first); empty when none.</summary>
    public string PreviousVersion { get; internal set; } = string.Empty;

    /// <summary>Where the version is installed on the host (its ModuleBase), when it is.</summary>
    public string? ModuleBase { get; internal set; }

    /// <summary>What happened, in words.</summary>
    public string Message { get; }

    /// <inheritdoc />
    public override string ToString() => $"{HostName}: {Reason}";
}

/// <summary>A DockerHostTools nupkg read and checked here: its id and version from the .nuspec, its bytes and their SHA256.</summary>
internal sealed record DockerHostToolsPackage(string Path, string FileName, string Version, byte[] Bytes, string Sha256)
{
    /// <summary>The largest package taken (the module's package is a few MB).</summary>
    public const int MaxBytes = 64 * 1024 * 1024;

    /// <summary>Reads <paramref name="path"/>; throws InvalidDataException with the reason when it is not a DockerHostTools nupkg.</summary>
    public static DockerHostToolsPackage Read(string path)
    {
        // Only a regular file is opened: a named pipe would wait for a writer and a device (/dev/zero) never ends.
        if (Core.Native.HostFileSystem.Live.TypeOf(path) is { } type && type != Core.Native.HostFileType.Regular)
        {
            throw new InvalidDataException($"it is a {type}, not a regular file; it was not opened.");
        }

        var info = new FileInfo(path);
        if (info.Length > MaxBytes)
        {
            throw new InvalidDataException($"The package is {info.Length} bytes, more than the {MaxBytes} a DockerHostTools package can be.");
        }

        var bytes = File.ReadAllBytes(path);
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"The file is not a nupkg (not a zip archive: {ex.Message})", ex);
        }

        using (zip)
        {
            var nuspec = zip.Entries.FirstOrDefault(e => !e.FullName.Contains('/') && e.FullName.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase))
                ?? throw new InvalidDataException("The file is a zip archive without a .nuspec at its root: not a nupkg.");
            if (nuspec.Length > 1024 * 1024)
            {
                throw new InvalidDataException("The package's .nuspec is larger than 1 MB.");
            }

            XDocument doc;
            try
            {
                using var s = nuspec.Open();
                using var reader = XmlReader.Create(s, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
                doc = XDocument.Load(reader);
            }
            catch (XmlException ex)
            {
                throw new InvalidDataException($"The package's .nuspec is not XML: {ex.Message}", ex);
            }

            var metadata = doc.Root?.Elements().FirstOrDefault(e => e.Name.LocalName == "metadata");
            var id = metadata?.Elements().FirstOrDefault(e => e.Name.LocalName == "id")?.Value.Trim();
            var version = metadata?.Elements().FirstOrDefault(e => e.Name.LocalName == "version")?.Value.Trim();
            if (!string.Equals(id, "DockerHostTools", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"The package is {(string.IsNullOrEmpty(id) ? "without an id" : $"'{id}'")}, not DockerHostTools.");
            }

            if (version is null || !System.Text.RegularExpressions.Regex.IsMatch(version, @"^\d{1,9}(\.\d{1,9}){1,3}(-[0-9A-Za-z.-]{1,64})?$"))
            {
                throw new InvalidDataException($"The package's version '{version}' is not a version.");
            }

            // On the host the package is always named as PSResourceGet's local repository finds it ({Id}.{Version}.nupkg: it
            // reads the name and version from the file name), whatever the file is called here.
            return new DockerHostToolsPackage(path, $"DockerHostTools.{version}.nupkg", version, bytes, Convert.ToHexString(SHA256.HashData(bytes)));
        }
    }

    /// <summary>The version as Get-Module shows it (without a prerelease label).</summary>
    public string ModuleVersion => Version.Split('-')[0];
}

/// <summary>
/// The install over the fleet's sessions: a probe (which versions the host lists, whether it has PSResourceGet) that
/// changes nothing; then, on the hosts that lack the version, the package copied in 1 MB pieces into a fresh temporary
/// folder of the host (mode 700), its SHA256 checked there, that folder registered as a trusted PSResourceGet repository
/// of a name of its own, Install-PSResource of exactly that version from it (nothing else is asked: no network),
/// the repository unregistered and the folder removed, and the version looked up again.
/// </summary>
internal static class FleetInstall
{
    public const int ChunkBytes = 1024 * 1024;

    internal const string ProbeScript = """
        $m = @(Get-Module -ListAvailable -Name DockerHostTools | Sort-Object Version -Descending)
        [pscustomobject]@{ DhtInstallProbe = 'Probe'; Versions = (@($m | ForEach-Object { "$($_.Version)" } | Select-Object -Unique) -join ',')
            PSResourceGet = [bool] (Get-Module -ListAvailable -Name Microsoft.PowerShell.PSResourceGet) }
        """;

    internal const string AppendScript = """
        param([string] $Dir, [byte[]] $Chunk, [string] $FileName)
        $ErrorActionPreference = 'Stop'
        if (-not $Dir) {
            $Dir = Join-Path ([IO.Path]::GetTempPath()) ('dht-install-' + [guid]::NewGuid().ToString('n'))
            $null = [IO.Directory]::CreateDirectory($Dir, [IO.UnixFileMode] 'UserRead, UserWrite, UserExecute')
        }
        $f = [IO.File]::Open((Join-Path $Dir $FileName), [IO.FileMode]::Append, [IO.FileAccess]::Write)
        try { $f.Write($Chunk, 0, $Chunk.Length) } finally { $f.Dispose() }
        [pscustomobject]@{ DhtInstallDir = $Dir }
        """;

    internal const string InstallScript = """
        param([string] $Dir, [string] $FileName, [string] $Sha256, [string] $Version, [string] $ModuleVersion, [string] $Scope)
        $ErrorActionPreference = 'Stop'
        $ProgressPreference = 'SilentlyContinue'
        function Step($Step, $Message, $Base) { [pscustomobject]@{ DhtInstallStep = $Step; Message = "$Message"; ModuleBase = $Base } }
        try {
            $hash = (Get-FileHash -Algorithm SHA256 -LiteralPath (Join-Path $Dir $FileName)).Hash
            if ($hash -ne $Sha256) { return Step 'CopyFailed' "The package arrived with SHA256 $hash, not $Sha256." }
            $repo = 'DockerHostToolsInstall' + [guid]::NewGuid().ToString('n').Substring(0, 12)
            try {
                Import-Module Microsoft.PowerShell.PSResourceGet
                Register-PSResourceRepository -Name $repo -Uri $Dir -Trusted
                try {
                    Install-PSResource -Name DockerHostTools -Version "[$Version]" -Repository $repo -TrustRepository -Scope $Scope -Quiet -AcceptLicense -WarningAction SilentlyContinue
                }
                finally { Unregister-PSResourceRepository -Name $repo -ErrorAction SilentlyContinue }
            }
            catch { return Step 'InstallFailed' "Install-PSResource failed: $_" }
            $m = Get-Module -ListAvailable -Name DockerHostTools | Where-Object { "$($_.Version)" -eq $ModuleVersion } | Select-Object -First 1
            if (-not $m) { return Step 'VersionCheckFailed' "Install-PSResource returned, but Get-Module -ListAvailable does not list DockerHostTools $ModuleVersion." }
            Step 'Done' '' $m.ModuleBase
        }
        finally { Remove-Item -LiteralPath $Dir -Recurse -Force -ErrorAction SilentlyContinue }
        """;

    internal const string CleanupScript = """
        param([string] $Dir)
        if ($Dir -and (Split-Path -Leaf $Dir) -like 'dht-install-*') { Remove-Item -LiteralPath $Dir -Recurse -Force -ErrorAction SilentlyContinue }
        """;

    /// <summary>What the probe found on one host.</summary>
    internal sealed record Probe(FleetHost Host, string[] Versions, bool HasPSResourceGet, DockerHostInstallResult? Done);

    public static async Task<List<Probe>> ProbeAsync(IReadOnlyList<FleetHost> hosts, DockerHostToolsPackage package, int throttle, CancellationToken ct)
    {
        var calls = (await FleetInvoker.InvokeAsync(hosts, ProbeScript, _ => [], throttle, ct).ConfigureAwait(false)).ToDictionary(c => c.Host);
        return hosts.Select(h =>
        {
            if (h.Runspace is null)
            {
                return new Probe(h, [], false, Failed(h, package, h.Reason ?? InstallReasons.HostUnreachable, h.Message ?? $"{h.HostName} is unreachable."));
            }

            var call = calls[h];
            var probe = call.Output.FirstOrDefault(o => o.Properties["DhtInstallProbe"] is not null);
            if (probe is null)
            {
                return new Probe(h, [], false, Failed(h, package,
                    call.Failure is System.Management.Automation.Remoting.PSRemotingTransportException ? InstallReasons.HostUnreachable : InstallReasons.RemoteCommandFailed,
                    $"Probing {h.HostName} failed: {call.FailureText("no answer")}"));
            }

            var versions = (probe.Properties["Versions"]?.Value?.ToString() ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries);
            var hasGet = probe.Properties["PSResourceGet"]?.Value is true or PSObject { BaseObject: true };
            if (versions.Contains(package.ModuleVersion, StringComparer.Ordinal))
            {
                return new Probe(h, versions, hasGet, new DockerHostInstallResult(h.HostName, InstallStatus.AlreadyCurrent, InstallReasons.AlreadyCurrent, package.Version,
                    $"{h.HostName} has DockerHostTools {package.ModuleVersion} already: nothing copied or changed.") { PreviousVersion = string.Join(',', versions) });
            }

            var newer = versions.Where(v => System.Version.TryParse(v, out var have) && System.Version.TryParse(package.ModuleVersion, out var want) && have > want).ToArray();
            if (newer.Length > 0)
            {
                var declined = Failed(h, package, InstallReasons.NewerVersionInstalled,
                    $"{h.HostName} has DockerHostTools {string.Join(", ", newer)}, newer than the package's {package.ModuleVersion}: nothing copied or changed " +
                    $"(the fleet commands import the highest version). To go back, Uninstall-PSResource DockerHostTools -Version {newer[0]} on that host first.");
                declined.PreviousVersion = string.Join(',', versions);
                return new Probe(h, versions, hasGet, declined);
            }

            if (!hasGet)
            {
                return new Probe(h, versions, hasGet, Failed(h, package, InstallReasons.PSResourceGetMissing,
                    $"{h.HostName}'s PowerShell has no Microsoft.PowerShell.PSResourceGet (PowerShell 7.4 and later ship it)."));
            }

            return new Probe(h, versions, hasGet, null);
        }).ToList();
    }

    /// <summary>Copies and installs on the hosts of <paramref name="work"/> (each lacks the version); one result per host.</summary>
    public static async Task<Dictionary<FleetHost, DockerHostInstallResult>> InstallAsync(IReadOnlyList<Probe> work, DockerHostToolsPackage package,
        string scope, int throttle, CancellationToken ct)
    {
        var results = new Dictionary<FleetHost, DockerHostInstallResult>();
        var dirs = work.ToDictionary(p => p.Host, _ => string.Empty);
        var pending = work.Select(p => p.Host).ToList();
        for (var offset = 0; offset < package.Bytes.Length && pending.Count > 0; offset += ChunkBytes)
        {
            var chunk = package.Bytes.AsSpan(offset, Math.Min(ChunkBytes, package.Bytes.Length - offset)).ToArray();
            foreach (var call in await FleetInvoker.InvokeAsync(pending, AppendScript, h => [dirs[h], chunk, package.FileName], throttle, ct).ConfigureAwait(false))
            {
                var dir = call.Output.Select(o => o.Properties["DhtInstallDir"]?.Value?.ToString()).FirstOrDefault(d => !string.IsNullOrEmpty(d));
                if (dir is null)
                {
                    results[call.Host] = Failed(call.Host, package, InstallReasons.CopyFailed, $"Copying the package to {call.Host.HostName} failed: {call.FailureText("no answer")}");
                    continue;
                }

                dirs[call.Host] = dir;
            }

            pending = [.. pending.Where(h => !results.ContainsKey(h))];
        }

        var failedCopies = work.Select(p => p.Host).Where(h => results.ContainsKey(h) && dirs[h].Length > 0).ToList();
        if (failedCopies.Count > 0)
        {
            await FleetInvoker.InvokeAsync(failedCopies, CleanupScript, h => [dirs[h]], throttle, ct).ConfigureAwait(false);
        }

        var byHost = work.ToDictionary(p => p.Host);
        foreach (var call in await FleetInvoker.InvokeAsync(pending, InstallScript,
            h => [dirs[h], package.FileName, package.Sha256, package.Version, package.ModuleVersion, scope], throttle, ct).ConfigureAwait(false))
        {
            var step = call.Output.FirstOrDefault(o => o.Properties["DhtInstallStep"] is not null);
            var name = step?.Properties["DhtInstallStep"]?.Value?.ToString();
            var message = step?.Properties["Message"]?.Value?.ToString() ?? string.Empty;
            var previous = byHost[call.Host].Versions;
            results[call.Host] = name switch
            {
                "Done" => new DockerHostInstallResult(call.Host.HostName, previous.Length == 0 ? InstallStatus.Installed : InstallStatus.Upgraded,
                    previous.Length == 0 ? InstallReasons.Installed : InstallReasons.Upgraded, package.Version,
                    previous.Length == 0 ? $"DockerHostTools {package.Version} installed on {call.Host.HostName}."
                        : $"DockerHostTools {package.Version} installed on {call.Host.HostName} beside {string.Join(", ", previous)}.")
                {
                    PreviousVersion = string.Join(',', previous),
                    ModuleBase = step!.Properties["ModuleBase"]?.Value?.ToString(),
                },
                "CopyFailed" => Failed(call.Host, package, InstallReasons.CopyFailed, message),
                "InstallFailed" => Failed(call.Host, package, InstallReasons.InstallFailed, message),
                "VersionCheckFailed" => Failed(call.Host, package, InstallReasons.VersionCheckFailed, message),
                _ => Failed(call.Host, package, InstallReasons.RemoteCommandFailed, $"Installing on {call.Host.HostName} failed: {call.FailureText("no answer")}"),
            };
            results[call.Host].PreviousVersion = string.Join(',', previous);
        }

        return results;
    }

    private static DockerHostInstallResult Failed(FleetHost host, DockerHostToolsPackage package, string reason, string message) =>
        new(host.HostName, InstallStatus.Failed, reason, package.Version, message);
}
