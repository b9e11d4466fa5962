/**
 * Credentials published on purpose, as examples in a provider's documentation or SDK tests: finding
 * them in a repository leaks nothing. Exact values only, each with where it is published; the same
 * lists other scanners allow (gitleaks keeps the Firebase and NuGet ones in its rules' allowlists).
 */
export const PUBLIC_EXAMPLES: ReadonlySet<string> = new Set([
  // Firebase Android SDK's test and sample keys (github.com/firebase/firebase-android-sdk).
  "AIzaSyabcdefghijklmnopqrstuvwxyz1234567",
  "AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs",
  "AIzaSyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM",
  "AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU",
  "AIzaSyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0",
  "AIzayDNSXIbFmlXbIE6mCzDLQAqITYefhixbX4A",
  "AIzaSyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c",
  "AIzaSyASWm6HmTMdYWpgMnjRBjxcQ9CKctWmLd4",
  "AIzaSyANUvH9H9BsUccjsu2pCmEkOPjjaXeDQgY",
  "AIzaSyA5_iVawFQ8ABuTZNUdcwERLJv_a_p4wtM",
  "AIzaSyA4UrcGxgwQFTfaI3no3t7Lt1sjmdnP5sQ",
  "AIzaSyDSb51JiIcB6OJpwwMicseKRhhrOq1cS7g",
  "AIzaSyBF2RrAIm4a0mO64EShQfqfd2AFnzAvvuU",
  "AIzaSyBcE-OOIbhjyR83gm4r2MFCu4MJmprNXsw",
  "AIzaSyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE",
  "AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY",
  // The nuget.config reference's sample passwords (learn.microsoft.com/nuget/reference/nuget-config-file).
  "33f!!lloppa",
  "hal+9ooo_da!sY",
  // The token jwt.io shows by default.
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
  // The npm-search Algolia key (search-only, public by design) that every Yarn Berry release bundles:
  // a committed `.yarn/releases/yarn-*.cjs` holds it (github.com/yarnpkg/berry/issues/6201).
  "6fe4476ee5a1832882e326b506d14126",
  // Stripe's API reference test keys.
  "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
  "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
]);
