<#
    Helpers for Pester lab tests on the namespace lab (tests/lab/netns, Recipe 3): a "Docker host" network namespace
    with its own mount namespace (private /etc/sysctl.d, /usr/lib/sysctl.d, /etc/sysctl.conf, /etc/firewalld, /run
    with its own D-Bus), a container namespace with a real registry, and an outside client namespace.
    The module under test runs in a child pwsh inside the host namespaces; results come back as JSON (-EnumsAsStrings).
#>
$script:LabDir = Join-Path $PSScriptRoot 'netns'
Import-Module (Join-Path $PSScriptRoot 'LabPwsh.psm1')

function Get-NetnsLab([Parameter(Mandatory)] [string] $Prefix) {
    [pscustomobject]@{
        Prefix  = $Prefix
        Dir     = "/tmp/${Prefix}lab"
        HostNs  = "${Prefix}host"
        ExtNs   = "${Prefix}ext"
        CtrNs   = "${Prefix}ctr"
        MountNs = "/tmp/${Prefix}lab/ns/host.mnt"
        HostIp  = '198.51.100.1'
    }
}

function Invoke-NetnsLabScript([string] $Prefix, [string] $Script, [string[]] $Arguments) {
    $env:FWLAB_PREFIX = $Prefix
    try {
        $out = & bash (Join-Path $script:LabDir $Script) @Arguments 2>&1
        if ($LASTEXITCODE -ne 0) { throw "$Script $Arguments failed ($LASTEXITCODE):`n$($out -join "`n")" }
        $out
    }
    finally { Remove-Item Env:FWLAB_PREFIX -ErrorAction Ignore }
}

function Start-NetnsLab {
    # Brings the lab up (tearing down a leftover one of the same prefix first). Options go to fwlab-up.sh.
    param([Parameter(Mandatory)] [string] $Prefix, [string[]] $Option = @())
    Stop-NetnsLab -Prefix $Prefix
    $null = Invoke-NetnsLabScript $Prefix 'fwlab-up.sh' $Option
    Get-NetnsLab $Prefix
}

function Stop-NetnsLab([Parameter(Mandatory)] [string] $Prefix) {
    $lab = Get-NetnsLab $Prefix
    if ((Test-Path $lab.Dir) -or (& ip netns list) -match "^$($lab.HostNs)\b") {
        $null = Invoke-NetnsLabScript $Prefix 'fwlab-down.sh' @()
    }
}

function Invoke-LabHost {
    # Invoke-LabHost LAB COMMAND ARGS...: runs a native command in the lab host (its network and mount namespaces);
    # returns stdout lines and sets $LASTEXITCODE. No param block, so arguments like -c reach the command as they are.
    $lab, $command = $args
    & nsenter "--mount=$($lab.MountNs)" "--net=/run/netns/$($lab.HostNs)" -- @command
}

function Invoke-LabExt {
    # Invoke-LabExt LAB COMMAND ARGS...: runs a native command in the outside client namespace.
    $lab, $command = $args
    & ip netns exec $lab.ExtNs @command
}

function Get-LabHttpCode {
    # The outside client's view of the registry: the HTTP code, or 000 when it cannot connect (2 s connect timeout).
    param([Parameter(Mandatory)] $Lab, [int] $Port = 5000)
    $code = Invoke-LabExt $Lab curl -s -o /dev/null -w '%{http_code}' --connect-timeout 2 --max-time 4 "http://$($Lab.HostIp):$Port/v2/"
    "$code"
}

function Invoke-LabPwsh {
    <#
        Runs a script block in a child pwsh inside the lab host with the assembled module imported; returns
        [pscustomobject]@{ Output; Errors; Warnings } read back from JSON (LabPwsh.psm1's one runner). -User runs it as
        that user (setpriv), with copies of pwsh and the module that user can read.
    #>
    param(
        [Parameter(Mandatory)] $Lab,
        [Parameter(Mandatory)] [scriptblock] $ScriptBlock,
        [object[]] $ArgumentList = @(),
        [string] $User,
        # a command prefix inside the lab before pwsh (strace -o ... to trace the child)
        [string[]] $Wrap = @()
    )
    Invoke-LabPwshRun -Enter @('nsenter', "--mount=$($Lab.MountNs)", "--net=/run/netns/$($Lab.HostNs)", '--') -WorkRoot $Lab.Dir `
        -ScriptBlock $ScriptBlock -ArgumentList $ArgumentList -User $User -Wrap $Wrap
}

Export-ModuleMember -Function Get-NetnsLab, Start-NetnsLab, Stop-NetnsLab, Invoke-LabHost, Invoke-LabExt, Get-LabHttpCode, Invoke-LabPwsh
