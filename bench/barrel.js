// The naive app's extra cost: what `import { ... } from '@cdktf/provider-google'` loads.
require('@cdktf/provider-google');
