// Adds cdktf's matchers (toHaveResourceWithProperties, ...) to expect.
const cdktf = require('cdktf');
cdktf.Testing.setupJest();
