import SluiceCore
import Testing

@Suite struct AddressPolicyTests {
    @Test(arguments: [
        ("127.0.0.1", "127.0.0.1"),
        ("0.0.0.0", "0.0.0.0"),
        ("255.255.255.255", "255.255.255.255"),
        ("10.20.0.100", "10.20.0.100"),
        ("::1", "::1"),
        ("::", "::"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:DB8::0:1", "2001:db8::1"),
        ("fe80::1:2", "fe80::1:2"),
        ("::ffff:10.1.2.3", "::ffff:10.1.2.3"),
        ("[2606:4700::1111]", "2606:4700::1111"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
    ])
    func addressesParseAndFormatCanonically(input: String, canonical: String) throws {
        let address = try #require(IPAddress(input))
        #expect(address.description == canonical)
        #expect(IPAddress(canonical) == address)
    }

    @Test(arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "0177.0.0.1", "127.1", "00.1.2.3", "1.2.3.04", "1.2.3.1000", "1..2.3", ".1.2.3",
        "1.2.3.", "1.2.3.4.", "+1.2.3.4", "1.2.3.4 ", "1.2.3.-4", "\u{661}.2.3.4", "1.2.3.4\u{0}", "1::2::3", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "localhost", "12345::"])
    func ambiguousOrInvalidAddressesAreRejected(input: String) {
        #expect(IPAddress(input) == nil)
    }

    /// The numeric spellings HTTP clients read besides the dotted quad (libcurl agrees: it
    /// connects to 127.0.0.1 for each of the first four), read only to warn where they go.
    @Test(arguments: [
        ("0177.0.0.1", "127.0.0.1"), ("2130706433", "127.0.0.1"), ("0x7f.1", "127.0.0.1"), ("127.1", "127.0.0.1"),
        ("10.0x10203", "10.1.2.3"), ("0", "0.0.0.0"), ("8.8.8.8", "8.8.8.8"), ("0000000000000177.0.0.1", "127.0.0.1"),
        ("0x00000000007f.1", "127.0.0.1"),
    ])
    func numericHostsReadAsTheAddressTheyReach(input: String, address: String) throws {
        #expect(try #require(IPAddress(numericHost: input)).description == address)
    }

    @Test(arguments: ["", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "4294967296", "1.16777216", "08.1.1.1", "0x", "hooks.example", "1..2", "1.2.3.4.", "+127.0.0.1", "127.0.0.+1"])
    func whatIsNotANumericHostIsNotReadAsOne(input: String) {
        #expect(IPAddress(numericHost: input) == nil)
    }

    /// An IPv4 address written inside an IPv6 one is judged as the IPv4 address it reaches: an
    /// IPv6 allowance (even `::/0`) does not admit loopback or metadata that way.
    @Test func anIPv6AllowanceDoesNotAdmitTheIPv4AnAddressEmbeds() throws {
        let policy = AddressPolicy(allowPrivate: false, allowCIDRs: [try #require(CIDR(parsing: "::/0"))])
        #expect(policy.refusal(for: try #require(IPAddress("::ffff:127.0.0.1"))) == .loopback)
        #expect(policy.refusal(for: try #require(IPAddress("::ffff:169.254.169.254"))) == .metadata)
        #expect(policy.refusal(for: try #require(IPAddress("::1"))) == nil, "an IPv6 address it names is admitted")
        let v4 = AddressPolicy(allowPrivate: false, allowCIDRs: [try #require(CIDR(parsing: "127.0.0.1/32"))])
        #expect(v4.refusal(for: try #require(IPAddress("::ffff:127.0.0.1"))) == nil, "the IPv4 block admits the address it reaches")
    }

    @Test func cidrContainsOnlyItsBlock() throws {
        let block = try #require(CIDR(parsing: "172.16.0.0/12"))
        #expect(block.contains(IPAddress("172.31.255.255")!))
        #expect(!block.contains(IPAddress("172.32.0.0")!))
        #expect(!block.contains(IPAddress("::ffff:172.16.0.1")!))
        let odd = try #require(CIDR(parsing: "10.1.2.3/7"))
        #expect(odd.description == "10.0.0.0/7")
        #expect(CIDR(parsing: "10.0.0.0/33") == nil)
        #expect(CIDR(parsing: "10.0.0.0/") == nil)
        #expect(CIDR(parsing: "fc00::/7")!.contains(IPAddress("fdff::1")!))
        #expect(CIDR(parsing: "127.0.0.1")!.prefixLength == 32)
        #expect(CIDR(parsing: "::/0")!.contains(IPAddress("2001:db8::1")!))
    }

    @Test(arguments: [
        ("0.0.0.0", AddressCategory.unspecified), ("0.1.2.3", .unspecified), ("::", .unspecified),
        ("127.0.0.1", .loopback), ("127.255.255.254", .loopback), ("::1", .loopback),
        ("10.0.0.1", .private), ("172.16.0.1", .private), ("172.31.0.1", .private), ("192.168.1.1", .private),
        ("fc00::1", .private), ("fd12:3456::1", .private),
        ("100.64.0.1", .cgnat), ("100.127.255.255", .cgnat),
        ("169.254.1.1", .linkLocal), ("fe80::1", .linkLocal), ("febf::1", .linkLocal),
        ("169.254.169.254", .metadata), ("fd00:ec2::254", .metadata), ("100.100.100.200", .metadata),
        ("169.254.170.2", .metadata), ("169.254.170.23", .metadata), ("fd00:ec2::23", .metadata), ("64:ff9b:1::a9fe:a9fe", .reserved),
        ("224.0.0.1", .multicast), ("239.255.255.255", .multicast), ("ff02::1", .multicast),
        ("255.255.255.255", .reserved), ("240.0.0.1", .reserved),
        ("::ffff:127.0.0.1", .loopback), ("::ffff:10.0.0.1", .private), ("::ffff:169.254.169.254", .metadata),
        ("64:ff9b::7f00:1", .loopback), ("::127.0.0.1", .loopback),
    ])
    func defaultPolicyRefusesEveryInternalRange(address: String, category: AddressCategory) throws {
        let ip = try #require(IPAddress(address))
        #expect(AddressPolicy().refusal(for: ip) == category)
        #expect(!AddressPolicy().isAllowed(ip))
    }

    @Test(arguments: ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "192.0.2.1"])
    func defaultPolicyAllowsPublicAddresses(address: String) {
        #expect(AddressPolicy().isAllowed(IPAddress(address)!))
    }

    @Test func allowPrivateAdmitsInternalRangesButNotMetadata() {
        let policy = AddressPolicy(allowPrivate: true)
        for address in ["127.0.0.1", "10.1.1.1", "::1", "fe80::1", "100.64.0.1", "::ffff:192.168.0.1"] {
            #expect(policy.isAllowed(IPAddress(address)!), "\(address)")
        }
        #expect(policy.refusal(for: IPAddress("169.254.169.254")!) == .metadata)
        #expect(policy.refusal(for: IPAddress("fd00:ec2::254")!) == .metadata)
    }

    @Test func allowCIDRsAdmitExactlyTheirBlocks() {
        let policy = AddressPolicy(allowCIDRs: [CIDR(parsing: "127.0.0.1/32")!, CIDR(parsing: "fd00:1::/32")!, CIDR(parsing: "169.254.169.254/32")!])
        #expect(policy.isAllowed(IPAddress("127.0.0.1")!))
        #expect(policy.isAllowed(IPAddress("::ffff:127.0.0.1")!))
        #expect(!policy.isAllowed(IPAddress("127.0.0.2")!))
        #expect(!policy.isAllowed(IPAddress("::1")!))
        #expect(policy.isAllowed(IPAddress("fd00:1::5")!))
        #expect(!policy.isAllowed(IPAddress("fd00:2::5")!))
        #expect(policy.isAllowed(IPAddress("169.254.169.254")!))
    }
}
