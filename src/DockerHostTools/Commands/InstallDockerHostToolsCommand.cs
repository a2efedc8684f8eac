using System.Management.Automation;
using DockerHostTools.Fleet;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Installs DockerHostTools from its nupkg on Docker hosts over PowerShell remoting (SSH).</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Install, "DockerHostTools", HelpUri = ProjectInfo.HelpBase + "Install-DockerHostTools.md",
    DefaultParameterSetName = FleetCommand.HostNameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DockerHostInstallResult))]
public sealed class InstallDockerHostToolsCommand : FleetCapableCmdlet
{
    /// <summary>The package (build.ps1 Package's DockerHostTools.VERSION.nupkg).</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Install-PSResource's -Scope on each host.</summary>
    [Parameter]
    [ValidateSet("CurrentUser", "AllUsers")]
    public string Scope { get; set; } = "CurrentUser";

    /// <summary>How many hosts are worked on at once.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int ThrottleLimit { get; set; } = FleetCommand.DefaultThrottle;

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var package = ReadPackage();
        var names = FleetCommand.UsableHostNames(this, HostName, UserName, KeyFilePath, Options);
        if (ParameterSetName == FleetCommand.HostNameSet && names.Length == 0)
        {
            return;
        }

        var probes = Await(async ct =>
        {
            var hosts = await FleetCommand.HostsAsync(ParameterSetName, Session, names, UserName, KeyFilePath, Options,
                ConnectingTimeout, ThrottleLimit, ct).ConfigureAwait(false);
            return await FleetInstall.ProbeAsync(hosts, package, ThrottleLimit, ct).ConfigureAwait(false);
        });

        // Asked here, on the pipeline thread, before anything is copied: a host declined gets no result (as -WhatIf).
        var work = probes.Where(p => p.Done is null && ShouldProcess(p.Host.HostName, p.Versions.Length == 0
            ? $"Install DockerHostTools {package.Version} from {package.FileName} (Install-PSResource -Scope {Scope}, a local repository on the host)"
            : $"Upgrade DockerHostTools {string.Join(", ", p.Versions)} to {package.Version} from {package.FileName} (Install-PSResource -Scope {Scope}, a local repository on the host)")).ToList();
        var installed = work.Count == 0 ? [] : Await(ct => FleetInstall.InstallAsync(work, package, Scope, ThrottleLimit, ct));
        foreach (var probe in probes)
        {
            if (probe.Done is { } done)
            {
                WriteObject(done);
            }
            else if (installed.TryGetValue(probe.Host, out var result))
            {
                WriteObject(result);
            }
        }
    }

    private DockerHostToolsPackage ReadPackage()
    {
        string path;
        try
        {
            path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        }
        catch (Exception ex) when (ex is ItemNotFoundException or ProviderNotFoundException or System.Management.Automation.DriveNotFoundException or NotSupportedException or ArgumentException)
        {
            ThrowTerminatingError(new ErrorRecord(new ItemNotFoundException($"No package at '{Path}': {ex.Message}", ex), "PackageNotFound", ErrorCategory.ObjectNotFound, Path));
            throw; // not reached
        }

        if (!File.Exists(path))
        {
            ThrowTerminatingError(new ErrorRecord(new ItemNotFoundException(Directory.Exists(path)
                ? $"'{path}' is a folder, not a package: give the DockerHostTools.VERSION.nupkg (build.ps1 Package writes it into output/package)."
                : $"No package at '{path}'."), "PackageNotFound", ErrorCategory.ObjectNotFound, Path));
        }

        try
        {
            return DockerHostToolsPackage.Read(path);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(new InvalidDataException($"'{path}' is not a DockerHostTools package: {ex.Message}", ex),
                ex is InvalidDataException ? "InvalidPackage" : "PackageNotReadable", ex is InvalidDataException ? ErrorCategory.InvalidData : ErrorCategory.ReadError, Path));
            throw; // not reached
        }
    }
}
